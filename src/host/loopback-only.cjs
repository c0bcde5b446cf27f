/**
 * Preloaded into the Agents Playground (NODE_OPTIONS --require) by the dev
 * stack: a server it starts with a port and no host listens on 127.0.0.1, not
 * on every interface. The Playground has no option for it, and on a laptop in
 * a shared network anyone could otherwise open it and act as any mock user.
 */
const net = require('node:net');

const LOOPBACK = '127.0.0.1';
const listen = net.Server.prototype.listen;

net.Server.prototype.listen = function listenOnLoopback(...args) {
  const [first, second] = args;
  const isPort = typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first));
  // listen(port[, host][, backlog][, callback]): add the host when none is given.
  if (isPort && typeof second !== 'string') args.splice(1, 0, LOOPBACK);
  // listen({ port[, host] }): the same, but not for a pipe or a handle.
  else if (first && typeof first === 'object' && 'port' in first && first.host === undefined && first.path === undefined)
    args[0] = { ...first, host: LOOPBACK };
  return listen.apply(this, args);
};
