// Accessibility repairs of dash 4's own components, applied to whatever they draw (a
// MutationObserver, since views are drawn after this file loads). Each is checked by the
// axe-core audit of the browser tests.
(function () {
    // dcc.Dropdown puts a focus proxy before its button: an input hidden from assistive
    // technology (aria-hidden) yet in the tab order (axe: aria-hidden-focus). The button
    // itself takes the focus (it opens on Enter and the arrow keys); the proxy leaves the
    // tab order, also after the dropdown puts it back on blur.
    function dropdown(proxy) {
        if (proxy.getAttribute("tabindex") !== "-1") { proxy.setAttribute("tabindex", "-1"); }
        var button = proxy.nextElementSibling;
        if (button && button.tagName === "BUTTON" && !button.disabled &&
                button.getAttribute("tabindex") !== "0") {
            button.setAttribute("tabindex", "0");
        }
    }
    // dcc.RadioItems and dcc.Checklist draw a listbox of options that each hold a native
    // radio or checkbox (axe: nested-interactive, aria-input-field-name). The native inputs
    // and their labels already say everything: drop the listbox roles around them.
    function options(list) {
        if (list.hasAttribute("role")) { list.removeAttribute("role"); }
        list.querySelectorAll("[role=option], [aria-selected]").forEach(function (el) {
            el.removeAttribute("role");
            el.removeAttribute("aria-selected");
        });
    }
    // DataTable's paging buttons are arrows with no text, and its filters' case toggle is
    // an unnamed "Aa" button (axe: button-name).
    var NAMES = {"first-page": "First page", "previous-page": "Previous page",
                 "next-page": "Next page", "last-page": "Last page",
                 "dash-filter--case": "Match case"};
    function name(button) {
        for (var cls in NAMES) {
            if (button.classList.contains(cls) && !button.getAttribute("aria-label")) {
                button.setAttribute("aria-label", NAMES[cls]);
            }
        }
    }
    // DataTable's row-selection boxes have no label (axe: label): name each by its row.
    function rowBox(box) {
        if (box.getAttribute("aria-label")) { return; }
        var row = box.closest("tr");
        box.setAttribute("aria-label", "Select row " + (row ? row.rowIndex : ""));
    }
    function sweep() {
        document.querySelectorAll(".dash-select-cell input").forEach(rowBox);
        document.querySelectorAll(".dash-dropdown-focus-target").forEach(dropdown);
        document.querySelectorAll(".dash-radioitems, .dash-checklist").forEach(options);
        document.querySelectorAll(".previous-next-container button, .dash-filter--case")
            .forEach(name);
    }
    // One sweep per frame at most: a Run's charts add thousands of SVG nodes in bursts,
    // and sweeping the whole page after each burst slowed their drawing.
    var pending = false;
    function soon() {
        if (pending) { return; }
        pending = true;
        window.requestAnimationFrame(function () { pending = false; sweep(); });
    }
    new MutationObserver(soon).observe(document.documentElement, {
        subtree: true, childList: true, attributes: true,
        attributeFilter: ["tabindex", "role", "aria-selected"]
    });
    sweep();
})();
