// Stand-in for vorteil/google-sentiment-check: instead of Google's Natural Language API, counts
// words from two short lists. {feeling: "Positive" | "Negative" | "Neutral", score, magnitude}.
import { serve, FunctionError } from './sdk/index.mjs';

const CODE = 'com.google-sentiment-check.error';

const POSITIVE = new Set(
  'good great love loved lovely excellent happy glad thanks thank wonderful awesome nice appreciate appreciated like enjoy enjoyed pleased fantastic best amazing perfect helpful brilliant'.split(' '),
);
const NEGATIVE = new Set(
  'bad terrible hate hated awful angry worst horrible poor disappointed disappointing annoyed annoying upset rude useless broken sad unacceptable dont never complaint slow wrong'.split(' '),
);

serve(async (input, ctx) => {
  // The original needs Google credentials: a missing key is its error too (it tells the secret did not arrive).
  if (!input?.serviceAccountKey) throw new FunctionError(CODE, 'no serviceAccountKey given');
  const message = typeof input.message === 'string' ? input.message : '';
  const words = message.toLowerCase().replace(/[’']/g, '').match(/[a-z]+/g) ?? [];
  const pos = words.filter((w) => POSITIVE.has(w)).length;
  const neg = words.filter((w) => NEGATIVE.has(w)).length;
  const score = pos + neg === 0 ? 0 : (pos - neg) / (pos + neg);
  const feeling = score > 0 ? 'Positive' : score < 0 ? 'Negative' : 'Neutral';
  await ctx.log(`Text being checked: ${message}`);
  return { feeling, score, magnitude: pos + neg };
});
