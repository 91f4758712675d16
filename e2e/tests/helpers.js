// Shared steps of the journeys.
const { expect } = require('@playwright/test');

async function login(page, email, password) {
  await page.goto('/login');
  await page.getByLabel('メールアドレス', { exact: true }).fill(email);
  await page.getByLabel('パスワード', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'ログイン' }).click();
  await expect(page).toHaveURL(/\/people$/);
  // The language is saved on the account; a journey that ended in English must not leak into the next.
  if ((await page.locator('html').getAttribute('lang')) !== 'ja') {
    await page.locator('#lang-select').selectOption('ja');
    await expect(page.locator('html')).toHaveAttribute('lang', 'ja');
  }
}

// A link of the site's menu: on a phone the menu opens from its button first, as a person would do it.
async function nav(page, name) {
  const links = page.locator('.nav-links');
  const toggle = page.locator('label.nav-toggle-label');
  if ((await toggle.isVisible()) && !(await links.isVisible())) await toggle.click();
  await links.getByRole('link', { name, exact: true }).click();
}

// The order the product promises (五十音順): kana folded to hiragana, voicing marks ignored first.
function sortKey(reading) {
  const folded = reading
    .normalize('NFKC')
    .replace(/[\u30A1-\u30F6]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60))
    .replace(/\s+/g, ' ')
    .trim();
  const small = { 'ぁ': 'あ', 'ぃ': 'い', 'ぅ': 'う', 'ぇ': 'え', 'ぉ': 'お', 'っ': 'つ', 'ゃ': 'や', 'ゅ': 'ゆ', 'ょ': 'よ', 'ゎ': 'わ' };
  const plain = folded
    .normalize('NFD')
    .replace(/[\u3099\u309A]/g, '')
    .normalize('NFC')
    .replace(/[ぁぃぅぇぉっゃゅょゎ]/g, (c) => small[c]);
  return plain + '\u0001' + folded;
}

module.exports = { login, sortKey, nav };
