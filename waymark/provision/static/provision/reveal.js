// Follow-up questions under a radio (provision/session_forms.py RevealingRadioSelect): each
// shows only while its radio is chosen. Without this script every follow-up shows, and the
// server checks that the one the chosen radio needs was answered.
//
// Not GOV.UK Frontend's conditional reveal: that sets aria-expanded on the radios, which ARIA
// does not allow on a radio (axe-core's aria-allowed-attr fails the page).

function sync(scope) {
  for (const input of scope.querySelectorAll("input[type=radio][data-waymark-reveals]")) {
    const followUp = document.getElementById(input.dataset.waymarkReveals);
    if (followUp) followUp.hidden = !input.checked;
  }
}

document.addEventListener("change", (event) => {
  if (event.target instanceof HTMLInputElement && event.target.type === "radio") {
    sync(event.target.form || document);
  }
});
// Back and forward keep what was chosen: show what goes with it.
window.addEventListener("pageshow", () => sync(document));
sync(document);
