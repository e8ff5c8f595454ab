// 主要做法与成效: an 插入 button puts its sentence into the section's text box at the cursor
// (replacing a selection), so a writer quotes the engine's figures instead of retyping them.
(function () {
  "use strict";

  function insertAtCursor(box, sentence) {
    var start = box.selectionStart;
    var end = box.selectionEnd;
    if (typeof start !== "number") {
      start = end = box.value.length;
    }
    var before = box.value.slice(0, start);
    var after = box.value.slice(end);
    box.value = before + sentence + after;
    var caret = start + sentence.length;
    box.focus();
    box.setSelectionRange(caret, caret);
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-insert]");
    if (!button) {
      return;
    }
    event.preventDefault();
    var box = document.getElementById(button.getAttribute("data-target"));
    if (box) {
      insertAtCursor(box, button.getAttribute("data-insert"));
    }
  });
})();
