// 手写签名: a signature drawn on the case page's canvas (finger, pen or mouse), posted as a PNG
// attachment of the agreement step with the signer's role and name. No inline script (CSP).
(function () {
  "use strict";
  var form = document.getElementById("signature-form");
  var pad = document.getElementById("signature-pad");
  if (!form || !pad) { return; }
  var ctx = pad.getContext("2d");
  var drawing = false;
  var drawn = false;
  var error = document.getElementById("signature-error");

  function clear() {
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, pad.width, pad.height);
    drawn = false;
  }
  function point(event) {
    var box = pad.getBoundingClientRect();
    return {
      x: (event.clientX - box.left) * (pad.width / box.width),
      y: (event.clientY - box.top) * (pad.height / box.height)
    };
  }
  function say(text) {
    error.textContent = text;
    error.hidden = !text;
  }
  clear();
  ctx.lineWidth = 3;
  ctx.lineCap = "round";
  ctx.strokeStyle = "#111";
  pad.addEventListener("pointerdown", function (event) {
    drawing = true;
    pad.setPointerCapture(event.pointerId);
    var p = point(event);
    ctx.beginPath();
    ctx.moveTo(p.x, p.y);
    event.preventDefault();
  });
  pad.addEventListener("pointermove", function (event) {
    if (!drawing) { return; }
    var p = point(event);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
    drawn = true;
    event.preventDefault();
  });
  ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
    pad.addEventListener(name, function () { drawing = false; });
  });
  document.getElementById("signature-clear").addEventListener("click", clear);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var signer = form.elements.signer.value.trim();
    if (!signer) { say("请填写签名人"); return; }
    if (!drawn) { say("请先在签名区签名"); return; }
    say("");
    pad.toBlob(function (blob) {
      var body = new FormData();
      body.append("csrf_token", form.elements.csrf_token.value);
      body.append("step", "agreement");
      body.append("signer", signer);
      body.append("name", "签名-" + signer + ".png");
      body.append("file", blob, "signature.png");
      fetch(form.getAttribute("data-action"), {
        method: "POST",
        body: body,
        headers: { "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        if (response.status === 201) {
          window.location.assign(window.location.pathname + "?done=signed#files");
        } else {
          response.json().then(function (refusal) {
            say(refusal.message_zh || "保存失败");
          }, function () { say("保存失败"); });
        }
      }, function () { say("网络错误，签名未保存"); });
    }, "image/png");
  });
}());
