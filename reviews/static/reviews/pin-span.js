/* Fill a span-pin form's offsets from a selection in an archived text, or a clicked paragraph.
   Offsets index the snapshot's stored text; each paragraph carries its own start offset, and
   the server checks every offset against the stored text. */
(function () {
  "use strict";

  function paragraphOf(node) {
    var element = node && (node.nodeType === 1 ? node : node.parentElement);
    return element ? element.closest(".snapshot-para") : null;
  }

  function offsetIn(paragraph, node, offset) {
    // Count the characters of the paragraph's text that come before (node, offset).
    var range = document.createRange();
    range.selectNodeContents(paragraph);
    range.setEnd(node, offset);
    return Number(paragraph.dataset.start) + range.toString().length;
  }

  function formFor(paragraph) {
    var box = paragraph.closest(".desk-archived");
    return box ? box.querySelector(".desk-span-form") : null;
  }

  function fill(form, start, end, text) {
    form.querySelector(".span-start").value = start;
    form.querySelector(".span-end").value = end;
    var preview = form.querySelector(".span-preview");
    var shown = text.length > 240 ? text.slice(0, 237) + "…" : text;
    preview.textContent = "Selected: “" + shown + "”";
    preview.classList.add("chosen");
  }

  document.addEventListener("mouseup", function () {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0) return;
    var range = selection.getRangeAt(0);
    var first = paragraphOf(range.startContainer);
    var last = paragraphOf(range.endContainer);
    if (!first || !last) return;
    var form = formFor(first);
    if (!form || form !== formFor(last)) return;
    if (range.collapsed) {
      fill(form, Number(first.dataset.start), Number(first.dataset.end), first.textContent);
      return;
    }
    var start = offsetIn(first, range.startContainer, range.startOffset);
    var end = offsetIn(last, range.endContainer, range.endOffset);
    if (end > start) fill(form, start, end, selection.toString());
  });
})();
