/**
 * JSON kept in a string property (Table Storage has no nested values). Text
 * that is not JSON becomes an issue of the zod parse, so an unreadable row is
 * reported as such rather than as a stray SyntaxError.
 */
import * as z from 'zod';

export const jsonText = z.string().transform((text, ctx): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not JSON' });
    return z.NEVER;
  }
});

/** A string property holding JSON of this shape. */
export const json = <T extends z.ZodType>(schema: T) => jsonText.pipe(schema);

/** Like {@link json}, with '' or a missing property meaning undefined. */
export const optionalJson = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .optional()
    .transform((s) => (s ? s : undefined))
    .pipe(jsonText.optional())
    .pipe(schema.optional());
