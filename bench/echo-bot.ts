/**
 * The baseline for the cold-start figure: a bare botbuilder echo bot on
 * node:http, bundled and started the same way (plain node) as Baton's host.
 */
import { createServer } from 'node:http';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';

const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
const port = Number(process.argv[2]);

createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    const response = {
      socket: req.socket,
      status: (code: number) => (res.statusCode = code),
      header: (name: string, value: unknown) => res.setHeader(name, String(value)),
      send: (data: unknown) => res.write(typeof data === 'string' ? data : JSON.stringify(data)),
      end: () => res.end(),
    };
    void adapter.process({ body: JSON.parse(body), headers: req.headers, method: req.method }, response, async (context) => {
      await context.sendActivity(`echo: ${context.activity.text}`);
    });
  });
}).listen(port, '127.0.0.1');
