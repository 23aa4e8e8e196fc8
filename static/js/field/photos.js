/* Photos taken in the field app: resized on the phone before they are kept or sent (long side
 * at most 1600 px, JPEG) to spare the data plan, and a small data: thumbnail for the form
 * (the content security policy allows data: images, not blob: ones).
 */
(function (root, factory) {
  var api = factory();
  if (typeof module === "object" && module.exports) { module.exports = api; } else { root.FieldPhotos = api; }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";
  var MAX_SIDE = 1600, QUALITY = 0.85, THUMB = 128;

  /* The size of a width × height picture fitted within max × max (never enlarged). */
  function fitWithin(width, height, max) {
    var scale = Math.min(1, max / Math.max(width, height));
    return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
  }

  function draw(bitmap, size) {
    var canvas = document.createElement("canvas");
    canvas.width = size.width;
    canvas.height = size.height;
    canvas.getContext("2d").drawImage(bitmap, 0, 0, size.width, size.height);
    return canvas;
  }

  /* file → Promise<{blob, thumb, width, height, name}> */
  function prepare(file, index) {
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var size = fitWithin(bitmap.width, bitmap.height, MAX_SIDE);
      var canvas = draw(bitmap, size);
      var thumb = draw(bitmap, fitWithin(bitmap.width, bitmap.height, THUMB)).toDataURL("image/jpeg", 0.7);
      if (bitmap.close) { bitmap.close(); }
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (blob) {
          if (!blob) { reject(new Error("无法处理该照片")); return; }
          resolve({ blob: blob, thumb: thumb, width: size.width, height: size.height, name: "photo-" + (index + 1) + ".jpg" });
        }, "image/jpeg", QUALITY);
      });
    });
  }

  return { MAX_SIDE: MAX_SIDE, fitWithin: fitWithin, prepare: prepare };
});
