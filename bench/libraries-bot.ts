/**
 * A second baseline for the cold-start figure: the bare echo bot plus the
 * libraries Baton loads before it can answer anything (zod, which checks
 * every activity; @azure/data-tables; @azure/functions), each loaded and
 * used once, bundled and started the same way. Baton's own code is what it
 * adds beyond this. (Cards are rendered by Baton's own src/cards/template.ts,
 * not adaptivecards-templating, so that library is not loaded here either.)
 */
import { TableClient } from '@azure/data-tables';
import { HttpResponse } from '@azure/functions';
import * as z from 'zod';
import './echo-bot';

const activity = z.object({ type: z.string(), text: z.string().optional() });
activity.parse({ type: 'message', text: 'warm' });
void TableClient.fromConnectionString('UseDevelopmentStorage=true', 'warm');
void new HttpResponse({ status: 200 });
