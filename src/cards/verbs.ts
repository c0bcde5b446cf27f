/**
 * The `Action.Execute` verbs: the templates in cards/ name them, the bot's
 * verb tables (src/app/*-actions.ts, src/app/digest.ts) answer them, and a test checks that
 * every verb in a template has a handler.
 */
export const VERBS = {
  createHandoff: 'handoff.create',
  edit: 'handoff.edit',
  resubmit: 'handoff.resubmit',
  accept: 'handoff.accept',
  requestChanges: 'handoff.requestChanges',
  ask: 'handoff.ask',
  answer: 'handoff.answer',
  setWorkState: 'handoff.setWorkState',
  cancel: 'handoff.cancel',
  reassign: 'handoff.reassign',
  nudge: 'handoff.nudge',
  close: 'handoff.close',
  flagPriority: 'handoff.flagPriority',
  history: 'handoff.history',
  refresh: 'handoff.refresh',
  summaryRefresh: 'summary.refresh',
  summaryFlagPriority: 'summary.flagPriority',
  summaryStop: 'summary.stop',
  summaryStart: 'summary.start',
  settingsSave: 'settings.save',
  awaySave: 'away.save',
  awayBack: 'away.back',
  awayReassign: 'away.reassign',
  awayKeepWaiting: 'away.keepWaiting',
} as const;

/** Team templates' verbs (issue 26): src/app/templates.ts answers them. */
export const TEMPLATE_VERBS = {
  apply: 'template.apply',
  list: 'template.list',
  create: 'template.new',
  show: 'template.show',
  edit: 'template.edit',
  duplicate: 'template.duplicate',
  delete: 'template.delete',
  save: 'template.save',
  addQuestion: 'template.addQuestion',
} as const;
