/**
 * The scripted OpenAI-compatible chat server behind `npm run screenshots`, on 127.0.0.1. It plays
 * one short conversation (CONVERSATION): chat requests get the turn's written reply, and the app's
 * memory jobs (fact extraction, fact relations, profile patches, rolling summary; told apart by the
 * JSON schema's properties in `response_format`) get valid JSON for the latest scripted turn the
 * request quotes. So the screenshots show the memory machinery at work, not a real model's wording.
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';

/** What the user says, what the "model" answers, and what the memory jobs should learn from it. */
export const CONVERSATION = [
  {
    user: "Hi! I'm Maya. I moved to Lisbon last spring and I'm still learning Portuguese.",
    reply: 'Welcome to Lisbon, Maya! Learning Portuguese on the spot is the best way: the café and the market count as lessons.',
    facts: [
      { text: "The user's name is Maya", importance: 0.8 },
      { text: 'The user moved to Lisbon last spring', importance: 0.8 },
      { text: 'The user is learning Portuguese', importance: 0.6 },
    ],
    patches: [
      { op: 'set', field: 'name', value: 'Maya' },
      { op: 'add', field: 'facts', value: 'Lives in Lisbon since last spring' },
      { op: 'add', field: 'goals', value: 'Become fluent in Portuguese' },
    ],
  },
  {
    user: 'I take my coffee black, no sugar. And I prefer short, direct answers.',
    reply: 'Got it: black coffee, and short answers from now on.',
    facts: [
      { text: 'The user takes their coffee black, without sugar', importance: 0.5 },
      { text: 'The user prefers short, direct answers', importance: 0.7 },
    ],
    patches: [
      { op: 'set', field: 'preferences', key: 'coffee', value: 'black, no sugar' },
      { op: 'set', field: 'communicationStyle', value: 'Short and direct' },
    ],
  },
  {
    user: "I'm training for a half marathon in October, running four times a week.",
    reply: 'Great goal. Four runs a week is a solid base for a half marathon in October.',
    facts: [
      { text: 'The user is training for a half marathon in October', importance: 0.8 },
      { text: 'The user runs four times a week', importance: 0.6 },
    ],
    patches: [
      { op: 'add', field: 'goals', value: 'Finish a half marathon in October' },
      { op: 'add', field: 'interests', value: 'Running' },
    ],
  },
  {
    user: 'Can you plan my Saturday morning?',
    reply: [
      'Short and direct, as you like it, Maya:',
      '',
      '- **7:30** black coffee at a café near the river',
      '- **8:00** long run along the Tejo, easy pace: half marathon training',
      '- **10:00** market, and order in Portuguese',
    ].join('\n'),
    // Asked in a new conversation, so only memory can tell the model these: the server refuses to
    // send the reply unless the app's prompt holds them.
    needs: ['Maya', 'Lisbon', 'black', 'half marathon', 'Portuguese'],
    facts: [],
    patches: [],
  },
];

/** The latest scripted turn that `text` quotes, or undefined. */
function latestTurn(text) {
  let best;
  let bestAt = -1;
  for (const turn of CONVERSATION) {
    const at = text.lastIndexOf(turn.user.slice(0, 40));
    if (at > bestAt) [best, bestAt] = [turn, at];
  }
  return best;
}

/** The JSON a memory job asks for, by the properties of its schema. */
function structuredAnswer(keys, prompt) {
  const turn = latestTurn(prompt);
  if (keys.includes('facts')) return { facts: turn?.facts ?? [] };
  if (keys.includes('relation')) return { relation: 'complementary', candidate: 1 };
  if (keys.includes('patches')) return { patches: turn?.patches ?? [] };
  if (keys.includes('summary'))
    return { summary: 'Maya, who moved to Lisbon, talked about her coffee, her running and her Portuguese.' };
  throw new Error(`the screenshot chat server has no answer for a schema with ${keys.join(', ') || 'no properties'}`);
}

/** The written reply to the latest user message; a `needs` list it checks against the prompt. */
function chatAnswer(messages) {
  const users = messages.filter((message) => message.role === 'user');
  const last = String(users.at(-1)?.content ?? '');
  // The app sends the memory sections and then the question, tagged, in the last user message.
  const query = /<user_query>([\s\S]*?)<\/user_query>/.exec(last)?.[1] ?? last;
  const turn = CONVERSATION.find((candidate) => query.includes(candidate.user));
  if (!turn) throw new Error(`the screenshot chat server has no reply for “${query.slice(0, 80)}”`);
  // Everything the model is shown except the question itself: only memory can supply the needed words.
  const prompt = messages
    .map((message) => (message === users.at(-1) ? last.replace(query, '') : String(message.content)))
    .join('\n');
  const missing = (turn.needs ?? []).filter((word) => !prompt.includes(word));
  if (missing.length) {
    if (process.env.SCREENSHOT_DEBUG) writeFileSync(process.env.SCREENSHOT_DEBUG, JSON.stringify(messages, null, 1));
    throw new Error(`the app's prompt for “${turn.user}” lacks the memories of ${missing.join(', ')}`);
  }
  return turn.reply;
}

/**
 * Starts the server; `url` is the base URL for Settings (ends in /v1). A request it cannot answer
 * gets a 500 and lands in `problems`, which the caller reports.
 */
export async function startScriptedChatServer(model) {
  const problems = [];
  const server = createServer((request, response) => {
    response.setHeader('access-control-allow-origin', '*');
    response.setHeader('access-control-allow-headers', 'content-type, authorization');
    response.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
    if (request.method === 'OPTIONS') return void response.writeHead(204).end();
    if (request.url?.endsWith('/models')) {
      response.writeHead(200, { 'content-type': 'application/json' });
      return void response.end(JSON.stringify({ data: [{ id: model }] }));
    }
    void readJson(request)
      .then((body) => {
        const messages = Array.isArray(body.messages) ? body.messages : [];
        const keys = Object.keys(body.response_format?.json_schema?.schema?.properties ?? {});
        const text = body.response_format
          ? JSON.stringify(structuredAnswer(keys, JSON.stringify(messages)))
          : chatAnswer(messages);
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        for (let at = 0; at < text.length; at += 12) {
          const piece = { choices: [{ delta: { content: text.slice(at, at + 12) } }] };
          response.write(`data: ${JSON.stringify(piece)}\n\n`);
        }
        response.end('data: [DONE]\n\n');
      })
      .catch((error) => {
        problems.push(error instanceof Error ? error.message : String(error));
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: String(error) } }));
      });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/v1`,
    problems,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function readJson(request) {
  let body = '';
  for await (const chunk of request) body += String(chunk);
  return JSON.parse(body || '{}');
}
