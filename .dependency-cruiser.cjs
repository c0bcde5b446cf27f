/**
 * The boundaries of Baton's code (README, "How it is built"), checked on its
 * imports by dependency-cruiser: `npm run lint` runs it, and
 * test/architecture.test.ts holds each rule against the code and against a
 * file that breaks it.
 */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment:
        'src/domain is plain TypeScript: the rules, with no I/O, no SDK and no other layer; zod is its one package, the bounded caches (src/lru.ts) its one helper.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: ['^src/domain/', '^src/(lru|clock)\\.ts$', '(^|/)node_modules/zod/'] },
    },
    {
      name: 'domain-has-no-node-io',
      comment: 'Not even a Node built-in: the domain runs (and is tested) anywhere.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'app-sees-ports-only',
      comment: 'src/app reaches storage, Graph, the Bot Connector and the local stand-ins only through the interfaces of src/app/ports.ts.',
      severity: 'error',
      from: { path: '^src/app/' },
      to: { path: '^src/(store|bot|connector|graph|local|host)/' },
    },
    {
      name: 'store-implements-ports',
      comment: 'A store knows the ports it implements, and no use case.',
      severity: 'error',
      from: { path: '^src/store/' },
      to: { path: '^src/(app/(?!ports\\.ts$)|bot/|connector/|graph/|local/|host/|cards/)' },
    },
    {
      name: 'connector-only-sends',
      comment:
        "src/connector is Baton's messages out, behind the Messenger port: it knows the port and the cards it carries, never the routes activities come in by (src/bot) or a use case.",
      severity: 'error',
      from: { path: '^src/connector/' },
      to: { path: '^src/(app/(?!ports\\.ts$)|bot/|store/|graph/|local/|host/)' },
    },
    {
      name: 'cards-draw-only',
      comment: 'src/cards turns data into cards: it knows the domain, not the use cases or their parts.',
      severity: 'error',
      from: { path: '^src/cards/' },
      to: { path: '^src/(app|store|bot|connector|graph|local|host)/' },
    },
    {
      name: 'bot-framework-at-the-edge',
      comment:
        'Only src/bot (activities in) and src/connector (messages out) import the Bot Framework SDK (archived; its successor has nearly the same surface): the move stays two small folders.',
      severity: 'error',
      from: { path: '^(src|functions)/', pathNot: '^src/(bot|connector)/' },
      to: { path: '(^|/)node_modules/(botbuilder|botframework-)' },
    },
    {
      name: 'tables-in-store-only',
      severity: 'error',
      from: { path: '^(src|functions)/', pathNot: '^src/store/' },
      to: { path: '(^|/)node_modules/@azure/(data-tables|storage-queue)/' },
    },
    {
      name: 'graph-client-in-graph-only',
      severity: 'error',
      from: { path: '^(src|functions)/', pathNot: '^src/graph/' },
      to: { path: '(^|/)node_modules/@microsoft/microsoft-graph-client/' },
    },
    {
      name: 'functions-are-thin',
      comment:
        'A function parses its trigger and reaches the product through the composition root or src/app: no rule lives in functions/.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { pathNot: ['^src/(baton|functions)\\.ts$', '^src/app/', '(^|/)node_modules/@azure/functions/'] },
    },
    {
      name: 'no-circular',
      comment:
        'A module that needs itself back through another (at run time: types may refer to each other) is two modules pretending to be one.',
      severity: 'error',
      from: { path: '^(src|functions)/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|test|bench|scripts)/' },
    tsPreCompilationDeps: true,
    parser: 'swc',
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
