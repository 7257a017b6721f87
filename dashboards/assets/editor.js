// The criteria editor's line numbers and error-line band sit in boxes beside and behind the
// text area: keep them level with the text as it scrolls (a capturing listener, because
// the editor is drawn after this file loads and scroll events do not bubble).
document.addEventListener("scroll", function (event) {
    var area = event.target;
    if (!area.classList || !area.classList.contains("editor")) { return; }
    var box = area.closest(".editor-box");
    if (!box) { return; }
    box.querySelectorAll(".editor-sync").forEach(function (el) {
        el.scrollTop = area.scrollTop;
    });
}, true);
