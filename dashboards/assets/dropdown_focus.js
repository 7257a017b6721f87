// dcc.Dropdown (dash 4) puts a focus proxy before its button: an input that is hidden from
// assistive technology (aria-hidden) yet in the tab order, which moves focus on to the
// button. A keyboard user then lands on an element a screen reader says nothing about
// (axe: aria-hidden-focus, serious). Here the button itself takes the focus (it already
// opens on Enter and the arrow keys) and the proxy leaves the tab order, also after the
// dropdown puts it back on blur.
(function () {
    function fix(proxy) {
        if (proxy.getAttribute("tabindex") !== "-1") { proxy.setAttribute("tabindex", "-1"); }
        var button = proxy.nextElementSibling;
        if (button && button.tagName === "BUTTON" && !button.disabled &&
                button.getAttribute("tabindex") !== "0") {
            button.setAttribute("tabindex", "0");
        }
    }
    function sweep() {
        document.querySelectorAll(".dash-dropdown-focus-target").forEach(fix);
    }
    new MutationObserver(sweep).observe(document.documentElement, {
        subtree: true, childList: true, attributes: true, attributeFilter: ["tabindex"]
    });
    sweep();
})();
