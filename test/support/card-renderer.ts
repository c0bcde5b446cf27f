/**
 * Cards drawn as a client draws them: the `adaptivecards` renderer (the
 * reference JavaScript renderer) with a client's host config, in headless
 * Chromium, at the width a card has in a Teams chat. The height tests read
 * each view's height from it, and its screenshots are the README's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../src/project';
import { chromiumExecutable } from './chromium';

/** A card in a Teams chat message is about 450 px wide on a desktop window of 1280 px. */
export const CARD_WIDTH = 450;
/** A Teams chart's height at that width, axis labels included, as the Agents Playground draws one. */
export const TEAMS_CHART_HEIGHT = 370;

const RENDERER = join(PROJECT_ROOT, 'node_modules', 'adaptivecards', 'dist', 'adaptivecards.min.js');

export interface CardRenderer {
  /** The card's height in CSS pixels, as drawn; throws when the renderer refused the card. */
  height(card: object): Promise<number>;
  /** A PNG of the card as drawn. */
  screenshot(card: object, path: string): Promise<void>;
  close(): Promise<void>;
}

/** Renders a card into #card; returns its height, or an error message when it was refused. */
function render(page: Page, card: object): Promise<{ height: number } | { error: string }> {
  return page.evaluate((json) => {
    const ac = (window as unknown as { AdaptiveCards: typeof import('adaptivecards') }).AdaptiveCards;
    const host = document.getElementById('card')!;
    host.replaceChildren();
    const adaptive = new ac.AdaptiveCard();
    adaptive.hostConfig = new ac.HostConfig((window as unknown as { hostConfig: object }).hostConfig);
    // What the renderer could not read (an unknown element or action, a bad value): a card it drew without them would
    // measure shorter than the one Teams draws, so any of them is an error here.
    const context = new ac.SerializationContext();
    adaptive.parse(json, context);
    const errors: string[] = [];
    for (let i = 0; i < context.eventCount; i += 1) errors.push(context.getEventAt(i).message);
    if (errors.length > 0) return { error: `not read: ${errors.join('; ')}` };
    const element = adaptive.render();
    if (!element) return { error: 'not rendered' };
    host.appendChild(element);
    return { height: Math.round(host.getBoundingClientRect().height) };
  }, card);
}

/**
 * Opens Chromium with the renderer and a host config.
 * @param hostConfig a path under cards/hostconfig
 */
export async function openCardRenderer(hostConfig: string): Promise<CardRenderer> {
  const browser: Browser = await chromium.launch({ executablePath: chromiumExecutable(), args: ['--no-sandbox'] });
  const page = await browser.newPage({ viewport: { width: CARD_WIDTH + 40, height: 800 }, deviceScaleFactor: 1 });
  const config = readFileSync(hostConfig, 'utf8');
  const background = (JSON.parse(config) as { containerStyles?: { default?: { backgroundColor?: string } } }).containerStyles?.default
    ?.backgroundColor;
  await page.setContent(
    `<!doctype html><html><body style="margin:0;padding:20px;background:#f5f5f5">` +
      `<div id="card" style="width:${CARD_WIDTH}px;background:${background ?? '#fff'}"></div></body></html>`,
  );
  await page.addScriptTag({ content: `window.hostConfig = ${config};` });
  await page.addScriptTag({ path: RENDERER });
  // Teams draws a chart about 370 px tall at this width (measured in the Agents Playground); the reference renderer
  // knows no chart, so each stands here as a box of that height, not as its fallback.
  await page.addScriptTag({
    content: `(function () {
      var ac = window.AdaptiveCards;
      class Chart extends ac.CardElement {
        getJsonTypeName() { return 'Chart'; }
        internalRender() {
          var box = document.createElement('div');
          box.style.height = '${TEAMS_CHART_HEIGHT}px';
          box.style.background = '#e8e8f4';
          box.textContent = 'chart';
          return box;
        }
      }
      ['Chart.VerticalBar', 'Chart.VerticalBar.Grouped', 'Chart.HorizontalBar', 'Chart.HorizontalBar.Stacked', 'Chart.Line', 'Chart.Pie', 'Chart.Donut', 'Chart.Gauge']
        .forEach(function (name) { ac.GlobalRegistry.elements.register(name, Chart); });
    })();`,
  });
  const drawn = async (card: object) => {
    const result = await render(page, card);
    if ('error' in result) throw new Error(result.error);
    return result.height;
  };
  return {
    height: drawn,
    async screenshot(card, path) {
      await drawn(card);
      await page.locator('#card').screenshot({ path });
    },
    close: () => browser.close(),
  };
}
