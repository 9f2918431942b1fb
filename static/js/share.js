// The share page: copy the link; the diagram as PNG, drawn from its SVG on a canvas.
(function () {
  "use strict";
  const copy = document.getElementById("share-copy");
  if (copy) {
    copy.addEventListener("click", function () {
      const field = document.getElementById(copy.dataset.copy);
      const done = function () { document.getElementById("share-copied").textContent = copy.dataset.copied; };
      field.select();
      if (navigator.clipboard) {
        navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
    });
  }
  const png = document.getElementById("export-png");
  if (png) {
    png.addEventListener("click", function () {
      const image = new Image();
      image.onload = function () {
        const canvas = document.createElement("canvas");
        canvas.width = image.naturalWidth * 2;
        canvas.height = image.naturalHeight * 2;
        const context = canvas.getContext("2d");
        context.scale(2, 2);
        context.drawImage(image, 0, 0);
        canvas.toBlob(function (blob) {
          const link = document.createElement("a");
          link.href = URL.createObjectURL(blob);
          link.download = png.dataset.name;
          document.body.appendChild(link);
          link.click();
          link.remove();
          setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
        }, "image/png");
      };
      image.src = png.dataset.svg;
    });
  }
})();
