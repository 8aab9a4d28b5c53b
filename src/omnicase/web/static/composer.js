/* The reply composer: Enter in the macro search box searches (HTMX) instead of sending
 * the reply; after a macro is inserted the caret goes to the end of the text. */
(function () {
  "use strict";
  document.addEventListener("keydown", function (ev) {
    var target = ev.target;
    if (ev.key === "Enter" && target && target.hasAttribute && target.hasAttribute("data-macro-search")) {
      ev.preventDefault();
    }
  });
  document.addEventListener("htmx:afterSwap", function (ev) {
    var text = ev.detail && ev.detail.target;
    var area = document.getElementById("reply-text");
    if (area && (text === area || (text && text.id === "reply-text") || !document.body.contains(text))) {
      area.focus();
      area.setSelectionRange(area.value.length, area.value.length);
    }
  });
})();
