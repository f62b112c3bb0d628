// Runs before the first paint so a chosen theme never flashes the other one.
// Kept as a same-origin file, not an inline script, to fit the content security policy.
try {
  var theme = window.localStorage.getItem('infernet-theme');
  if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
} catch {
  // Storage blocked (private mode): the system preference applies.
}
