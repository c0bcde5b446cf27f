/**
 * What each team-template verb means (issue 26): its data, read from the
 * card, and the use case it runs (src/app/templates.ts).
 */
import * as z from 'zod';
import { TEMPLATE_VERBS } from '../cards/verbs';
import { handoffFormInput } from '../domain/handoff-form';
import { templateChoiceInput, templateFormInput } from '../domain/templates';
import { type CardAction, cardAction } from './actions';
import {
  addQuestion,
  applyTemplate,
  deleteTemplate,
  duplicateTemplateForm,
  editTemplateForm,
  listTemplates,
  newTemplateForm,
  saveTemplate,
  showTemplate,
} from './templates';

const templateRef = z.object({ templateId: z.string().min(1).max(100) });
/** A card sends numbers as text. */
const version = z.union([z.number(), z.string().regex(/^\d{1,9}$/)]).transform(Number);

/** Every template verb, and what it does. */
export const templateActions: Readonly<Record<string, CardAction>> = {
  [TEMPLATE_VERBS.apply]: cardAction(handoffFormInput.extend(templateChoiceInput.shape), (app, caller, input) =>
    applyTemplate(app, caller, input),
  ),
  [TEMPLATE_VERBS.list]: cardAction(z.object({}), async (app, caller) => ({ card: await listTemplates(app, caller) })),
  [TEMPLATE_VERBS.create]: cardAction(z.object({}), async (app, caller) => ({ card: await newTemplateForm(app, caller) })),
  [TEMPLATE_VERBS.show]: cardAction(templateRef.extend({ conversationId: z.string().max(500).optional() }), (app, caller, data) =>
    showTemplate(app, caller, data.templateId, data.conversationId),
  ),
  [TEMPLATE_VERBS.edit]: cardAction(templateRef, (app, caller, data) => editTemplateForm(app, caller, data.templateId)),
  [TEMPLATE_VERBS.duplicate]: cardAction(templateRef, (app, caller, data) => duplicateTemplateForm(app, caller, data.templateId)),
  [TEMPLATE_VERBS.delete]: cardAction(templateRef.extend({ version }), (app, caller, data) =>
    deleteTemplate(app, caller, data.templateId, data.version),
  ),
  [TEMPLATE_VERBS.save]: cardAction(
    templateFormInput.extend({ templateId: z.string().max(100).optional().default(''), version }),
    (app, caller, data) => saveTemplate(app, caller, data),
  ),
  [TEMPLATE_VERBS.addQuestion]: cardAction(
    templateRef.extend({
      handoffId: z.string().regex(/^[0-9a-f]{20}$/, 'not a handoff id'),
      seq: version,
      to: z.enum(['checklist', 'acceptanceCriteria']),
    }),
    (app, caller, data) => addQuestion(app, caller, data),
  ),
};
