// The intranet page's own script: listens to <veerkracht-map> and drives its radius.
const kaart = document.getElementById('kaart');
const selectie = document.getElementById('selectie');
const pct = (share) => (share === null ? 'geen aandeel (te weinig woningen)' : `${(share * 100).toFixed(1).replace('.', ',')} %`);

kaart.addEventListener('veerkracht-select', (ev) => {
  const d = ev.detail;
  selectie.textContent = `Vierkant ${d.id ?? d.index}: ${pct(d.share)} binnen ${d.radiusM} m (${d.numeratorSum} van ${d.denominatorSum} woningen)`;
});
kaart.addEventListener('veerkracht-error', (ev) => {
  selectie.textContent = `Fout: ${ev.detail.message}`;
});
document.getElementById('radius').addEventListener('change', (ev) => {
  kaart.setRadius(Number(ev.target.value));
});
