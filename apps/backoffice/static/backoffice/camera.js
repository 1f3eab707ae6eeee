/* The counter's camera: reads the citizen's QR code with the device's camera (jsQR, vendored in
   vendor/jsqr/) and submits it in the scan field, as a USB scanner would. Without a camera, permission or
   JavaScript, the page works as before: scanner, typed code, name or phone. */
(function () {
  "use strict";
  var form = document.querySelector("form.counter-scan");
  var button = document.getElementById("counter-camera-start");
  var box = document.getElementById("counter-camera");
  if (!form || !button || !box || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia ||
      typeof window.jsQR !== "function") {
    return;
  }
  var field = form.querySelector("input[name=scan]");
  var video = document.createElement("video");
  video.setAttribute("playsinline", "");
  video.muted = true;
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var stream = null;

  function stop() {
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
  }

  function look() {
    if (!stream) {
      return;
    }
    if (video.readyState >= 2 && video.videoWidth) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      if (found && found.data) {
        field.value = found.data;
        stop();
        form.submit();
        return;
      }
    }
    window.setTimeout(look, 150);
  }

  button.hidden = false;
  button.addEventListener("click", function () {
    if (stream) {
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (s) {
      stream = s;
      video.srcObject = s;
      box.hidden = false;
      box.textContent = "";
      box.appendChild(video);
      video.play();
      look();
    }).catch(function () {
      box.hidden = false;
      box.textContent = button.getAttribute("data-error");
      field.focus();
    });
  });
  window.addEventListener("pagehide", stop);
})();
