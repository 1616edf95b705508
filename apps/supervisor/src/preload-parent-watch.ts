/**
 * Preloaded (`node --require`) into every Node child the supervisor starts. The children run in
 * their own process groups, so that a terminal's Ctrl-C reaches only the supervisor, which then
 * stops them in order; the price is that a SIGKILLed supervisor would leave them running. This
 * closes that gap: an orphaned child sends itself SIGTERM (its own graceful shutdown), then
 * SIGKILL if that has not finished within the grace period.
 */
import { watchParentDeath } from './parent-death';

const graceMs = Number(process.env.SUPERVISOR_SHUTDOWN_GRACE_MS) || 10_000;

watchParentDeath(() => {
  process.kill(process.pid, 'SIGTERM');
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), graceMs).unref();
});
