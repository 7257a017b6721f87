"""Synthetic names: small shipped lists, typical of each ethnic group in the UK.

Names are drawn independently (given name by sex and group, family name by group), so a
name never identifies anyone; 'mixed', 'other' and 'unknown' draw from a blend of lists.
"""

from __future__ import annotations

import numpy as np

GIVEN_F = {
    "white": "Olivia Amelia Emily Sophie Jessica Charlotte Lucy Hannah Margaret Susan Elizabeth "
             "Sarah Rachel Catherine Joan Eileen Fiona Kirsty Siobhan Rhiannon Megan Niamh",
    "asian": "Aisha Fatima Priya Ayesha Zara Maryam Anjali Sana Nadia Simran Amina Hina Farah "
             "Pooja Noor Ruksana Shabana Jaspreet Mei Ling",
    "black": "Abena Chiamaka Adaeze Nia Imani Kemi Folake Amara Zainab Grace Precious Blessing "
             "Ama Esther Yetunde Nneka Shanice Tanisha",
}
GIVEN_M = {
    "white": "Oliver George Harry Jack Thomas James William David John Robert Michael Peter "
             "Andrew Stephen Callum Gareth Rhys Ewan Connor Sean Liam Alistair",
    "asian": "Mohammed Muhammad Ali Ahmed Arjun Rohan Imran Hassan Omar Raj Sanjay Bilal Hamza "
             "Zain Amir Gurpreet Harpreet Vikram Wei Jun",
    "black": "Kwame Kofi Chinedu Emeka Tunde Olumide Samuel Daniel Joseph Femi Kelechi Jerome "
             "Tyrone Marcus Andre Yaw Ibrahima Moses",
}
FAMILY = {
    "white": "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson "
             "Evans Walker White Roberts Green Hall Wood Jackson Clarke Campbell MacDonald "
             "Stewart Murphy Kelly O'Neill Hughes Edwards Lewis Morgan Kowalski Nowak",
    "asian": "Khan Ahmed Ali Hussain Patel Singh Begum Shah Akhtar Kaur Iqbal Rahman Chaudhry "
             "Malik Sharma Gupta Mahmood Bibi Miah Choudhury Chen Wang Li Zhang Nguyen",
    "black": "Okafor Mensah Adeyemi Okonkwo Asante Boateng Owusu Abiodun Mohamed Osei Ogunleye "
             "Adebayo Johnson Campbell Grant Francis Williams Thomas",
}
GROUPS = ("asian", "black", "mixed", "white", "other", "unknown")
# Blend weights (asian, black, white) for the groups with no list of their own.
BLEND = {
    "asian": (1.0, 0.0, 0.0),
    "black": (0.0, 1.0, 0.0),
    "white": (0.0, 0.0, 1.0),
    "mixed": (0.15, 0.35, 0.5),
    "other": (0.45, 0.2, 0.35),
    "unknown": (0.1, 0.05, 0.85),
}
SOURCES = ("asian", "black", "white")


def _arrays(lists: dict[str, str]) -> dict[str, np.ndarray]:
    return {group: np.array(text.split()) for group, text in lists.items()}


_GIVEN_F, _GIVEN_M, _FAMILY = _arrays(GIVEN_F), _arrays(GIVEN_M), _arrays(FAMILY)


def _draw(rng: np.random.Generator, lists: dict[str, np.ndarray], source: np.ndarray):
    out = np.empty(len(source), dtype=object)
    for i, group in enumerate(SOURCES):
        mask = source == i
        out[mask] = rng.choice(lists[group], size=int(mask.sum()))
    return out


def names(rng: np.random.Generator, female: np.ndarray, ethnicity: np.ndarray):
    """(given, family) name arrays for patients (``female`` booleans, ``ethnicity`` as
    indexes into ``GROUPS``)."""
    weights = np.array([BLEND[g] for g in GROUPS])
    cdf = weights[ethnicity].cumsum(axis=1)
    given_src = (rng.random(len(female))[:, None] > cdf).sum(axis=1).clip(0, 2)
    family_src = np.where(rng.random(len(female)) < 0.8, given_src,
                          (rng.random(len(female))[:, None] > cdf).sum(axis=1).clip(0, 2))
    given = np.where(female, _draw(rng, _GIVEN_F, given_src), _draw(rng, _GIVEN_M, given_src))
    return given, _draw(rng, _FAMILY, family_src)
