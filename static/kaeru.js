// Small progressive enhancements; every page works without this file.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.matches("select[data-autosubmit]")) {
    el.form.requestSubmit();
  }
});
// Long work (an import): show the progress indicator and keep the button from being pressed twice.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (event.defaultPrevented || !form.hasAttribute("data-progress")) return;
  const bar = form.querySelector("progress.busy");
  if (bar) bar.hidden = false;
  form.querySelectorAll("button[type=submit]").forEach((b) => {
    b.setAttribute("aria-busy", "true");
    setTimeout(() => { b.disabled = true; }, 0);
  });
});

// A read-only box whose text is meant to be copied (a new API token): select it all on focus.
document.querySelectorAll("[data-select-on-focus]").forEach((el) => {
  el.addEventListener("focus", () => el.select());
});
