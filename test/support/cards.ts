/** Reading rendered cards in tests: every text a person would see, every input. */

/** All `text` values of a card (TextBlock and TextRun), in document order. */
export function textsOf(card: unknown): string[] {
  const texts: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (typeof record.text === 'string' && (record.type === 'TextBlock' || record.type === 'TextRun')) texts.push(record.text);
      Object.values(record).forEach(walk);
    }
  };
  walk(card);
  return texts;
}

export interface CardInput {
  type: string;
  id: string;
  value?: string;
  choices?: { title: string; value: string }[];
}

/** All inputs of a card, in document order. */
export function findInputs(card: unknown): CardInput[] {
  const inputs: CardInput[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (typeof record.type === 'string' && record.type.startsWith('Input.')) inputs.push(record as unknown as CardInput);
      Object.values(record).forEach(walk);
    }
  };
  walk(card);
  return inputs;
}
