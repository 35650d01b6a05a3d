/* The scan page and the lobby kiosk: read a pass's QR with the camera or from a photo
   (html5-qrcode, vendored under static/vendor/), put what it holds into the code field and
   send the form. Without a camera the typed short code works the same. */
(function () {
  "use strict";
  var form = document.getElementById("scan-form");
  var box = document.getElementById("scan-camera");
  if (!form || !box || typeof window.Html5Qrcode === "undefined") return;
  var field = form.querySelector("[name=code]");
  var busy = false;

  function send(text) {
    if (busy) return;
    busy = true;
    field.value = text;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
    window.setTimeout(function () { busy = false; }, 2500);
  }

  var reader = new window.Html5Qrcode("scan-camera");
  var start = document.getElementById("scan-start");
  if (start) {
    start.hidden = false;
    start.addEventListener("click", function () {
      start.hidden = true;
      reader.start({ facingMode: "environment" }, { fps: 8, qrbox: 220 }, send).catch(function () {
        start.hidden = false;
      });
    });
  }
  var file = document.getElementById("scan-file");
  if (file) {
    file.addEventListener("change", function () {
      if (!file.files.length) return;
      reader.scanFile(file.files[0], false).then(send).catch(function () {
        var out = document.getElementById("scan-result");
        if (out) out.textContent = file.dataset.unreadable || "";
      });
    });
  }
})();
