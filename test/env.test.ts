import { describe, expect, it } from 'vitest';
import { optionsFromEnv } from '../src/env.js';
import { resolveSignalingOptions } from '../src/server/options.js';

describe('standalone environment', () => {
  it('leaves RESUME, RESUME_GRACE_PERIOD and HEARTBEAT_TIMEOUT at the defaults when unset or empty', () => {
    for (const env of [{}, { RESUME: '', RESUME_GRACE_PERIOD: '', HEARTBEAT_TIMEOUT: '' }]) {
      const resolved = resolveSignalingOptions(optionsFromEnv(env).options);
      expect([resolved.resume, resolved.resumeGracePeriod, resolved.heartbeatTimeout]).toEqual([true, 10_000, 10_000]);
    }
  });

  it.each([
    ['on', true],
    ['off', false],
    ['TRUE', true],
    ['false', false],
    ['1', true],
    ['0', false],
  ])('reads RESUME=%s as resume: %s', (text, resume) => {
    expect(optionsFromEnv({ RESUME: text }).options.resume).toBe(resume);
  });

  it('refuses a RESUME that is neither on nor off', () => {
    expect(() => optionsFromEnv({ RESUME: 'maybe' })).toThrow('RESUME must be on or off, got "maybe"');
  });

  it('reads RESUME_GRACE_PERIOD from 0 (no grace period) and HEARTBEAT_TIMEOUT from 1, in ms', () => {
    expect(optionsFromEnv({ RESUME_GRACE_PERIOD: '0', HEARTBEAT_TIMEOUT: '1' }).options).toMatchObject({
      resumeGracePeriod: 0,
      heartbeatTimeout: 1,
    });
    expect(optionsFromEnv({ RESUME_GRACE_PERIOD: '30000', HEARTBEAT_TIMEOUT: '5000' }).options).toMatchObject({
      resumeGracePeriod: 30_000,
      heartbeatTimeout: 5_000,
    });
  });

  it.each([
    ['RESUME_GRACE_PERIOD', '-1', 'RESUME_GRACE_PERIOD must be an integer from 0 to 2147483648, got "-1"'],
    ['RESUME_GRACE_PERIOD', '10s', 'RESUME_GRACE_PERIOD must be an integer from 0 to 2147483648, got "10s"'],
    ['HEARTBEAT_TIMEOUT', '0', 'HEARTBEAT_TIMEOUT must be an integer from 1 to 2147483648, got "0"'],
    ['HEARTBEAT_TIMEOUT', '1.5', 'HEARTBEAT_TIMEOUT must be an integer from 1 to 2147483648, got "1.5"'],
  ])('refuses %s=%s', (name, text, message) => {
    expect(() => optionsFromEnv({ [name]: text })).toThrow(message);
  });
});
