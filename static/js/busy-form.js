/* Show a spinner and block double submits while a long ledger operation runs. */
(function () {
  document.querySelectorAll("form[data-busy-form]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.disabled = true;
        var spinner = button.querySelector(".spinner-border");
        if (spinner) { spinner.classList.remove("d-none"); }
      });
      var note = form.querySelector("[data-busy-note]");
      if (note) { note.classList.remove("d-none"); }
    });
  });
})();
