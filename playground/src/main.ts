// The playground page (placeholder until the editor lands).
const app = document.getElementById("app");
if (app) app.textContent = "Functions.do playground";
