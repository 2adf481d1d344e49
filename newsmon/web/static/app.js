// Light progressive enhancement: the pages work without this file.
// Changing a topic box or the view re-runs the search at once.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("filters");
  if (!form) return;
  for (const input of form.querySelectorAll("input[type=checkbox], select")) {
    input.addEventListener("change", () => form.requestSubmit());
  }
});
