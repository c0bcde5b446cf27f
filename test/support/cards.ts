/** Reading rendered cards in tests: every text a person would see, every input. */

/** Every node of a card of one type (`Action.Execute`, `Input.Toggle`, ...), in document order. */
export function nodesOfType(card: unknown, type: string): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record.type === type) found.push(record);
      Object.values(record).forEach(walk);
    }
  };
  walk(card);
  return found;
}

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
