/**
 * A second baseline for the cold-start figure: the bare echo bot plus the
 * libraries Baton's design names and cannot answer a card without (zod, which
 * checks every activity; adaptivecards-templating, which renders every card;
 * @azure/data-tables; @azure/functions), each loaded and used once, bundled
 * and started the same way. Baton's own code is what it adds beyond this.
 */
import { TableClient } from '@azure/data-tables';
import { HttpResponse } from '@azure/functions';
import { Template } from 'adaptivecards-templating';
import * as z from 'zod';
import './echo-bot';

const activity = z.object({ type: z.string(), text: z.string().optional() });
activity.parse({ type: 'message', text: 'warm' });
new Template({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: '${text}' }] }).expand({ $root: { text: 'warm' } });
void TableClient.fromConnectionString('UseDevelopmentStorage=true', 'warm');
void new HttpResponse({ status: 200 });
