/* Formatting buttons over a post's body: they type the Markdown for the officer (bold, italic, heading, lists,
   link). Progressive enhancement: without JavaScript the toolbar stays hidden and the Markdown is typed by hand.
   The buttons show only while "Simple formatting (Markdown)" is the body's format. */
(function () {
  "use strict";

  function replaceSelection(area, text, selectFrom, selectTo) {
    var start = area.selectionStart, end = area.selectionEnd;
    area.setRangeText(text, start, end, "end");
    if (selectFrom !== undefined) {
      area.setSelectionRange(start + selectFrom, start + selectTo);
    }
  }

  function wrap(area, mark, placeholder) {
    var selected = area.value.slice(area.selectionStart, area.selectionEnd) || placeholder;
    replaceSelection(area, mark + selected + mark, mark.length, mark.length + selected.length);
  }

  function prefixLines(area, prefix) {
    var value = area.value;
    var start = value.lastIndexOf("\n", area.selectionStart - 1) + 1;
    var end = area.selectionEnd;
    var lines = value.slice(start, end).split("\n");
    var text = lines.map(function (line, i) { return prefix(i) + line; }).join("\n");
    // Markdown starts a list or heading only after an empty line (unless it follows a list item): add it.
    var before = value.slice(0, start);
    var previous = before.slice(before.lastIndexOf("\n", before.length - 2) + 1, -1);
    if (before && !/\n\n$/.test(before) && !/^\s*([-*]|\d+\.)\s/.test(previous)) {
      text = "\n" + text;
    }
    area.setSelectionRange(start, end);
    replaceSelection(area, text);
  }

  var actions = {
    bold: function (area) { wrap(area, "**", "chữ đậm"); },
    italic: function (area) { wrap(area, "*", "chữ nghiêng"); },
    heading: function (area) { prefixLines(area, function () { return "## "; }); },
    list: function (area) { prefixLines(area, function () { return "- "; }); },
    numbered: function (area) { prefixLines(area, function (i) { return (i + 1) + ". "; }); },
    link: function (area, button) {
      var url = window.prompt(button.getAttribute("data-prompt"), "https://");
      if (!url) { return; }
      var label = area.value.slice(area.selectionStart, area.selectionEnd) || url;
      replaceSelection(area, "[" + label + "](" + url + ")");
    }
  };

  function isMarkdown() {
    var checked = document.querySelector("input[name=body_format]:checked");
    return !checked || checked.value === "markdown";
  }

  function start() {
    var bars = Array.prototype.slice.call(document.querySelectorAll(".news-md-toolbar"));
    function refresh() {
      bars.forEach(function (bar) { bar.hidden = !isMarkdown(); });
    }
    bars.forEach(function (bar) {
      var area = document.getElementById(bar.getAttribute("data-for"));
      if (!area) { return; }
      bar.addEventListener("click", function (event) {
        var button = event.target.closest("button[data-md]");
        if (!button) { return; }
        area.focus();
        actions[button.getAttribute("data-md")](area, button);
        area.dispatchEvent(new Event("input", { bubbles: true }));
      });
    });
    document.querySelectorAll("input[name=body_format]").forEach(function (radio) {
      radio.addEventListener("change", refresh);
    });
    refresh();
  }

  // The admin loads form media in the page's head: wait for the form.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
