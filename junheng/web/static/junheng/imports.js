// While the server checks the files (a county's 400 books take about ten seconds) the button
// stays disabled and says so; more files than the server accepts are stopped here with the
// page's own message instead of a bare error page.
// The browser's own file button speaks the browser's language; this one always says what was
// chosen, in Chinese. The real input lies over the whole box, so clicks and dropped files reach it.
document.querySelectorAll(".import-picker input[type=file]").forEach(function (input) {
  var box = input.parentElement;
  var chosen = box.querySelector(".import-chosen");
  var empty = chosen.textContent;
  input.addEventListener("change", function () {
    var names = Array.prototype.map.call(input.files, function (f) { return f.name; });
    chosen.textContent = names.length === 0 ? empty
      : names.length <= 3 ? "已选择：" + names.join("、")
      : "已选择：" + names.slice(0, 3).join("、") + " 等 " + names.length + " 个文件";
    box.classList.toggle("has-files", names.length > 0);
  });
  ["dragenter", "dragover"].forEach(function (name) {
    input.addEventListener(name, function () { box.classList.add("dragging"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    input.addEventListener(name, function () { box.classList.remove("dragging"); });
  });
});
// A new county's province, city and name matter only while no registered county is chosen.
document.querySelectorAll(".import-new-county").forEach(function (fieldset) {
  var select = fieldset.form.querySelector("select[name=county]");
  function show() { fieldset.hidden = select.value !== ""; }
  select.addEventListener("change", show);
  show();
});
document.querySelectorAll("form.import-form, form.import-confirm").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    var input = form.querySelector("input[type=file]");
    var max = parseInt(form.dataset.maxFiles || "0", 10);
    if (input && max && input.files.length > max) {
      event.preventDefault();
      form.querySelector(".import-limit").hidden = false;
      return;
    }
    var button = form.querySelector("button[type=submit]");
    if (button) {
      // Disabled after this tick, so that the browser still submits the form.
      setTimeout(function () { button.disabled = true; button.textContent = form.dataset.busyLabel; }, 0);
    }
    var busy = form.querySelector(".import-busy");
    if (busy) { busy.hidden = false; }
  });
});
