/**
 * Instants on a card, written for the client to show in its viewer's own
 * zone and language: the Adaptive Cards DATE() and TIME() text functions
 * ("{{DATE(2026-12-08T10:00:00Z, SHORT)}} {{TIME(2026-12-08T10:00:00Z)}}",
 * "Tue, Dec 8, 2026 10:00 AM" for a viewer in London with English). The
 * shared card then tells everyone the truth in their own time, which a time
 * Baton wrote for one zone could not.
 *
 * The renderers (the reference JavaScript one, and the shared C++ object
 * model of the mobile clients) apply them in TextBlock text and FactSet
 * facts only, and only to RFC 3339 instants with seconds and no fraction
 * (their regular expression): so a card puts each instant in a TextBlock of
 * its own, never in a RichTextBlock, an input or a button title. The Teams
 * documentation says the card's "date and localization features" are not
 * supported in Teams; field reports (microsoft/AdaptiveCards#6194) show Teams
 * desktop and web rendering them in TextBlocks. See the README, Cards.
 */

/** "2026-12-08T10:00:00Z": what the DATE() and TIME() functions accept. */
function rfc3339(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The date and the time of an instant, in the viewer's zone and language. */
export function cardInstant(iso: string): string {
  const at = rfc3339(iso);
  return `{{DATE(${at}, SHORT)}} {{TIME(${at})}}`;
}

/** The date alone, in the viewer's zone and language. */
export function cardDate(iso: string): string {
  return `{{DATE(${rfc3339(iso)}, SHORT)}}`;
}

/**
 * A card text with its DATE() and TIME() functions written out for one zone,
 * as a client would for a viewer there: "Due Tue 8 Dec 12:00". For text
 * outside a card (a terminal), never for a card.
 */
export function plainCardTimes(text: string, timeZone: string): string {
  const day = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone });
  const clock = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone });
  return text
    .replace(/\{\{DATE\(([^,)]+)(?:, *\w+)?\)\}\}/g, (_, at: string) => day.format(new Date(at)).replace(',', ''))
    .replace(/\{\{TIME\(([^)]+)\)\}\}/g, (_, at: string) => clock.format(new Date(at)));
}
