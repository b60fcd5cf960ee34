// SPDX-License-Identifier: GPL-3.0-or-later
//
// shares.test.mjs — the public share pages (/s/TOKEN) as a visitor meets
// them, in Debian's headless Chromium driven by playwright-core.
//
// The pages are the only part of ALLSET a customer's contacts ever see, in
// any browser, without JavaScript: these tests click what a visitor clicks
// (download, password form, folder listing, zip, report form), compare
// downloaded bytes with the sources, and keep a French screenshot of each
// step. run-browser-test.sh prepares the server, the files and the links
// and passes them in the environment; run this file only through it.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

function env(name) {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is not set: run this test through tests/browser/run-browser-test.sh`);
  return value;
}

// playwright-core lives in the build dir (npm ci there), not next to this
// file, so an ordinary `import` would not find it.
const require = createRequire(path.join(path.dirname(env('ALLSET_NODE_MODULES')), 'package.json'));
const { chromium } = require('playwright-core');

const work = env('ALLSET_WORK_DIR');
const shotDir = env('ALLSET_SCREENSHOT_DIR');
const downloadDir = path.join(work, 'downloads');
const TIMEOUT_MS = 15000;

const months = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet',
                'août', 'septembre', 'octobre', 'novembre', 'décembre'];

// The date as the pages write it: « 26 novembre 2026 à 13:45 UTC ».
function frenchDate(iso) {
  const d = new Date(iso);
  assert.ok(!Number.isNaN(d.getTime()), `not a date: ${iso}`);
  const two = (n) => String(n).padStart(2, '0');
  return `${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} à ` +
         `${two(d.getUTCHours())}:${two(d.getUTCMinutes())} UTC`;
}

function sha256(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

let context;

before(async () => {
  mkdirSync(downloadDir, { recursive: true });
  mkdirSync(shotDir, { recursive: true });
  // A fresh profile every run, as CI starts from nothing. Chromium honours
  // --ignore-certificate-errors-spki-list only with an explicit
  // --user-data-dir, which a persistent context passes.
  const profile = mkdtempSync(path.join(work, 'chromium-profile-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: env('ALLSET_CHROMIUM'),
    headless: true,
    // Chromium refuses to start as root with its sandbox on (CI runs
    // `.ci/run` as root): only then does Playwright pass --no-sandbox.
    chromiumSandbox: process.getuid() !== 0,
    args: [
      // Trust the server's self-signed development certificate by its
      // public key and nothing else: ignoreHTTPSErrors would accept any
      // certificate, a wrong one included.
      `--ignore-certificate-errors-spki-list=${env('ALLSET_CERT_SPKI')}`,
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      // This machine's network is closed: without these Chromium keeps
      // trying to reach Google's hosts (refused, many at a time).
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    acceptDownloads: true,
    downloadsPath: downloadDir,
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
    viewport: { width: 900, height: 640 },
  });
  context.setDefaultTimeout(TIMEOUT_MS);
  context.setDefaultNavigationTimeout(TIMEOUT_MS);
});

after(async () => {
  await context?.close();
});

// A page that records what the console reports: a Content-Security-Policy
// violation (the inline style's hash no longer matching, say) fails the test.
async function newPage() {
  const page = await context.newPage();
  page.consoleErrors = [];
  page.on('console', (message) => {
    if (message.type() === 'error')
      page.consoleErrors.push(message.text());
  });
  return page;
}

function assertNoCspViolation(page) {
  const violations = page.consoleErrors.filter((text) => /Content Security Policy/i.test(text));
  assert.deepEqual(violations, [], 'the page broke its own Content-Security-Policy');
}

async function shot(page, name) {
  const file = path.join(shotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  assert.ok(statSync(file).size > 1000, `screenshot ${file} is empty`);
}

// Clicks, waits for the download it starts, keeps the file; returns its
// suggested name, path and SHA-256.
async function download(page, locator) {
  const [dl] = await Promise.all([page.waitForEvent('download'), locator.click()]);
  const file = path.join(downloadDir, `${Date.now()}-${dl.suggestedFilename()}`);
  await dl.saveAs(file);
  assert.equal(await dl.failure(), null, `download of ${dl.url()} failed`);
  return { name: dl.suggestedFilename(), file, sha256: sha256(file) };
}

// The no-indexing rules hold on every public answer, errors included.
async function assertNotIndexed(page, response) {
  const headers = response.headers();
  assert.match(headers['x-robots-tag'] ?? '', /noindex/, 'X-Robots-Tag');
  assert.match(headers['x-robots-tag'] ?? '', /nofollow/, 'X-Robots-Tag');
  assert.match(headers['content-security-policy'] ?? '', /default-src 'none'/, 'Content-Security-Policy');
  assert.match(headers['content-security-policy'] ?? '', /frame-ancestors 'none'/, 'Content-Security-Policy');
  assert.equal(headers['referrer-policy'], 'no-referrer', 'Referrer-Policy');
  assert.match(await page.locator('meta[name="robots"]').getAttribute('content') ?? '', /noindex/,
               '<meta name="robots">');
  assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
}

async function bodyText(page) {
  return page.locator('body').innerText();
}

test('(1) un lien de fichier : nom, taille, date d’expiration, en-têtes, téléchargement', async () => {
  const page = await newPage();
  const response = await page.goto(env('ALLSET_SHARE_FILE_URL'));
  assert.equal(response.status(), 200);
  await assertNotIndexed(page, response);

  assert.equal(await page.locator('h1').innerText(), 'rapport-2026.pdf');
  const text = await bodyText(page);
  assert.match(text, /Taille : 3,0 Mo/);
  const date = frenchDate(env('ALLSET_SHARE_FILE_EXPIRES_AT'));
  assert.ok(text.includes(date), `the page should give the expiry « ${date} »: ${text}`);

  const button = page.getByRole('link', { name: 'Télécharger', exact: true });
  assert.equal(await button.count(), 1, 'one download button');
  // The inline style is allowed by its hash in the CSP: if the hash were
  // wrong, Chromium would drop the style and the button would be a plain link.
  const background = await button.evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(background, 'rgb(26, 95, 180)', 'the page style is applied (CSP style hash)');
  await shot(page, '01-fichier');

  const got = await download(page, button);
  assert.equal(got.name, 'rapport-2026.pdf');
  assert.equal(got.sha256, sha256(env('ALLSET_SHARE_FILE_SOURCE')), 'downloaded bytes differ from the source');
  assertNoCspViolation(page);
  await page.close();
});

test('(2) un lien protégé par mot de passe : formulaire, mot de passe faux puis juste', async () => {
  const page = await newPage();
  const url = env('ALLSET_SHARE_PASSWORD_URL');
  let response = await page.goto(url);
  assert.equal(response.status(), 200);
  await assertNotIndexed(page, response);
  assert.equal(await page.locator('h1').innerText(), 'Lien protégé');
  const field = page.locator('input[name="password"]');
  assert.equal(await field.getAttribute('type'), 'password');
  assert.equal(await page.getByRole('link', { name: 'Télécharger', exact: true }).count(), 0,
               'no download link before the password');
  await shot(page, '02-mot-de-passe');

  const submit = async (password) => {
    await field.fill(password);
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url() === url),
      page.getByRole('button', { name: 'Accéder' }).click(),
    ]);
    await page.waitForLoadState('load');
    return answer;
  };

  response = await submit('pas le bon');
  assert.equal(response.status(), 403);
  assert.match(await page.locator('.e').innerText(), /Mot de passe incorrect/);
  assert.equal(await page.getByRole('link', { name: 'Télécharger', exact: true }).count(), 0);
  await shot(page, '02b-mot-de-passe-faux');

  response = await submit(env('ALLSET_SHARE_PASSWORD'));
  assert.equal(response.status(), 200);
  assert.equal(await page.locator('h1').innerText(), 'Devis signé.bin');
  assert.match(await bodyText(page), /Taille : 68,4 Ko/);
  await shot(page, '02c-mot-de-passe-juste');

  const got = await download(page, page.getByRole('link', { name: 'Télécharger', exact: true }));
  assert.equal(got.name, 'Devis signé.bin', 'the UTF-8 file name (filename*) reaches the browser');
  assert.equal(got.sha256, sha256(env('ALLSET_SHARE_PASSWORD_SOURCE')));
  assertNoCspViolation(page);
  await page.close();
});

test('(3) liens expiré, révoqué et inconnu : pages 410 et 404 en français', async () => {
  // The link was made to last one second: wait (bounded) until it is over.
  const expiry = Date.parse(env('ALLSET_SHARE_EXPIRED_EXPIRES_AT'));
  assert.ok(!Number.isNaN(expiry));
  const wait = expiry + 1100 - Date.now();
  assert.ok(wait < 10000, `expiry too far ahead: ${wait} ms`);
  if (wait > 0)
    await new Promise((resolve) => setTimeout(resolve, wait));

  const page = await newPage();
  let response = await page.goto(env('ALLSET_SHARE_EXPIRED_URL'));
  assert.equal(response.status(), 410);
  await assertNotIndexed(page, response);
  assert.match(await page.locator('h1').innerText(), /^Ce lien n[’']est plus disponible$/);
  assert.equal(await page.getByRole('link', { name: 'Télécharger', exact: true }).count(), 0);
  await shot(page, '03-expire');

  response = await page.goto(env('ALLSET_SHARE_REVOKED_URL'));
  assert.equal(response.status(), 410);
  assert.match(await page.locator('h1').innerText(), /^Ce lien n[’']est plus disponible$/);

  // A forged token of the right shape, and a truncated one.
  const forged = new URL(env('ALLSET_SHARE_FILE_URL'));
  forged.pathname = `/s/${'A'.repeat(43)}`;
  response = await page.goto(forged.href);
  assert.equal(response.status(), 404);
  await assertNotIndexed(page, response);
  assert.equal(await page.locator('h1').innerText(), 'Lien introuvable');
  await shot(page, '03b-introuvable');
  response = await page.goto(env('ALLSET_SHARE_FILE_URL').slice(0, -5));
  assert.equal(response.status(), 404);
  assertNoCspViolation(page);
  await page.close();
});

test('(4) un lien de dossier : liste, sous-dossier, téléchargement d’un fichier', async () => {
  const source = env('ALLSET_SHARE_FOLDER_SOURCE');
  const page = await newPage();
  const response = await page.goto(env('ALLSET_SHARE_FOLDER_URL'));
  assert.equal(response.status(), 200);
  await assertNotIndexed(page, response);
  assert.equal(await page.locator('h1').innerText(), 'Projet Lumière');
  for (const name of ['réunion.txt', 'plan.bin', 'Sous-dossier/'])
    assert.equal(await page.getByRole('link', { name, exact: true }).count(), 1, `listing has ${name}`);
  await shot(page, '04-dossier');

  let got = await download(page, page.getByRole('link', { name: 'réunion.txt', exact: true }));
  assert.equal(got.name, 'réunion.txt');
  assert.equal(got.sha256, sha256(path.join(source, 'réunion.txt')));

  await Promise.all([
    page.waitForURL(/\?dir=Sous-dossier$/),
    page.getByRole('link', { name: 'Sous-dossier/', exact: true }).click(),
  ]);
  assert.equal(await page.locator('h1').innerText(), 'Sous-dossier');
  await shot(page, '04b-sous-dossier');
  got = await download(page, page.getByRole('link', { name: 'photo.bin', exact: true }));
  assert.equal(got.name, 'photo.bin');
  assert.equal(got.sha256, sha256(path.join(source, 'Sous-dossier', 'photo.bin')));

  await Promise.all([
    page.waitForURL(env('ALLSET_SHARE_FOLDER_URL')),
    page.getByRole('link', { name: 'Retour au dossier partagé' }).click(),
  ]);
  assert.equal(await page.locator('h1').innerText(), 'Projet Lumière');
  assertNoCspViolation(page);
  await page.close();
});

// Every regular file under dir, as 'a/b.txt' → SHA-256.
function treeHashes(dir, prefix = '') {
  const out = {};
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix + entry.name;
    if (entry.isDirectory())
      Object.assign(out, treeHashes(path.join(dir, entry.name), `${rel}/`));
    else
      out[rel] = sha256(path.join(dir, entry.name));
  }
  return out;
}

// Python's zipfile reads the archive (ZIP64 and data descriptors included)
// and checks every CRC; it answers name → SHA-256 of the files in it.
function zipHashes(file) {
  const script = `
import hashlib, json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    bad = z.testzip()
    if bad is not None:
        sys.exit("bad CRC: " + bad)
    print(json.dumps({i.filename: hashlib.sha256(z.read(i)).hexdigest()
                      for i in z.infolist() if not i.is_dir()}))
`;
  // Debian's python3 (build-aux/install-deps.sh): a pyenv shim first in
  // PATH can take seconds to start.
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  return JSON.parse(execFileSync(python, ['-c', script, file], { encoding: 'utf8', timeout: TIMEOUT_MS }));
}

test('(4-zip) un lien de dossier : « Tout télécharger (zip) »', async () => {
  const page = await newPage();
  await page.goto(env('ALLSET_SHARE_FOLDER_URL'));
  const button = page.getByRole('link', { name: /Tout télécharger/ })
    .or(page.getByRole('button', { name: /Tout télécharger/ }));
  assert.equal(await button.count(), 1,
               'PENDING until GET /s/TOKEN/zip lands (helper "dl"): the folder page has no « Tout télécharger (zip) »');

  const got = await download(page, button);
  assert.match(got.name, /\.zip$/);
  assert.equal(readFileSync(got.file).subarray(0, 2).toString('latin1'), 'PK', 'a zip archive');
  let inZip = zipHashes(got.file);
  // The archive may put everything under the folder's own name.
  const names = Object.keys(inZip);
  if (names.length > 0 && names.every((name) => name.startsWith('Projet Lumière/')))
    inZip = Object.fromEntries(names.map((name) => [name.slice('Projet Lumière/'.length), inZip[name]]));
  assert.deepEqual(inZip, treeHashes(env('ALLSET_SHARE_FOLDER_SOURCE')));
  assertNoCspViolation(page);
  await page.close();
});

// Every string anywhere in a JSON value.
function jsonStrings(value) {
  if (typeof value === 'string')
    return [value];
  if (value !== null && typeof value === 'object')
    return Object.values(value).flatMap(jsonStrings);
  return [];
}

test('(5) « Signaler ce contenu » : formulaire, confirmation, admin share-reports', async () => {
  const details = `Test navigateur ${Date.now()} : ce fichier contient les données d’un client.`;
  const email = 'visiteur@example.com';
  const page = await newPage();
  const url = env('ALLSET_SHARE_REPORT_URL');
  await page.goto(url);
  const link = page.getByRole('link', { name: 'Signaler ce contenu' });
  assert.equal(await link.count(), 1,
               'PENDING until the report form lands (helper "abuse"): no « Signaler ce contenu » link');
  await Promise.all([page.waitForURL(`${url}/report`), link.click()]);

  const reason = page.locator('select[name="reason"]');
  const values = await reason.locator('option').evaluateAll(
    (options) => options.map((o) => o.value).filter((v) => v !== ''));
  assert.ok(values.length > 0, 'the reason list has choices');
  await reason.selectOption(values[0]);
  await page.locator('textarea[name="details"]').fill(details);
  await page.locator('input[name="email"]').fill(email);
  await shot(page, '05-signalement');

  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.url().startsWith(`${url}/report`)),
    page.locator('form').locator('button[type="submit"], input[type="submit"], button:not([type])').first().click(),
  ]);
  await page.waitForLoadState('load');
  assert.ok(answer.status() < 400, `POST report answered ${answer.status()}`);
  await assertNotIndexed(page, answer);
  assert.match(await bodyText(page), /Merci\. Votre signalement a été enregistré/);
  await shot(page, '05b-signalement-envoye');
  assertNoCspViolation(page);
  await page.close();

  const listing = execFileSync(env('ALLSET_SERVER'),
                               ['admin', '--data-dir', env('ALLSET_DATA_DIR'), 'share-reports', '--json'],
                               { encoding: 'utf8', timeout: TIMEOUT_MS });
  const strings = jsonStrings(JSON.parse(listing));
  assert.ok(strings.includes(details), `admin share-reports lists the report: ${listing}`);
  assert.ok(strings.includes(email), `admin share-reports gives the reporter's address: ${listing}`);
  assert.ok(strings.includes(values[0]), `admin share-reports gives the reason: ${listing}`);
});
