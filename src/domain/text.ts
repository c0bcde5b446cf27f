/**
 * Text from HTML: for mail clients that show no HTML, and for a Teams message
 * (its body is HTML) that starts a handoff.
 */

/**
 * The text of an HTML fragment: head, scripts and styles dropped, each block
 * (paragraph, heading, list, list item, table row) on lines of its own, a
 * list item as "- ", table cells apart, common entities decoded.
 */
export function plainText(html: string): string {
  return html
    .replace(/<(head|script|style)[\s\S]*?<\/\1>/gi, '')
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(/<(ul|ol|table)\b[^>]*>/gi, '\n')
    .replace(/<\/t[dh]>/gi, '  ')
    .replace(/<br\s*\/?>|<\/(p|div|h\d|tr|ul|ol|table)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n[ \t]+(?!- )/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
