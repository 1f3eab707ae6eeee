// Progressive enhancement: a "copy" button for the declaration code where the Clipboard API exists.
(function () {
  var button = document.querySelector(".j-copy");
  if (!button || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
      button.textContent = "✓ " + button.textContent.replace(/^✓ /, "");
    });
  });
})();
