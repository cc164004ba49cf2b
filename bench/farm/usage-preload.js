// Loaded with `node --import` into a measured process: at exit it writes its own resource usage
// (getrusage: peak RSS, user and system CPU, as /usr/bin/time reports them) to the file named by
// ORRERY_USAGE_FILE. Needs no tool on the machine, and works the same in CI.
import { writeFileSync } from 'node:fs';

const out = process.env.ORRERY_USAGE_FILE;
if (out) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(
      out,
      JSON.stringify({
        maxRssKb: usage.maxRSS,
        userS: usage.userCPUTime / 1e6,
        systemS: usage.systemCPUTime / 1e6,
      }),
    );
  });
}
