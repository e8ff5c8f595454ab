// Deleting an uploaded file or a county's own requirement cannot be undone: ask first.
document.querySelectorAll("form[data-confirm]").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
  });
});
// Too many files, or one over the size limit, is said before the upload rather than after it
// (the server checks again and keeps none of an upload with a refused file).
document.querySelectorAll("input[type=file][data-max-files]").forEach(function (input) {
  input.addEventListener("change", function () {
    var maxFiles = Number(input.dataset.maxFiles);
    var maxBytes = Number(input.dataset.maxBytes);
    var message = "";
    if (input.files.length > maxFiles) {
      message = "一次最多上传 " + maxFiles + " 个文件，本次选择了 " + input.files.length + " 个";
    } else {
      for (var i = 0; i < input.files.length; i += 1) {
        if (input.files[i].size > maxBytes) {
          message = "文件“" + input.files[i].name + "”大小超过上限 " + input.dataset.maxMb +
            " MB，请压缩或拆分后再上传";
          break;
        }
      }
    }
    input.setCustomValidity(message);
    input.reportValidity();
  });
});
