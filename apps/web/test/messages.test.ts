import { ApiError, NetworkError } from '../src/api-error';
import { describeError } from '../src/messages';

const api = (status: number, message = 'x', retryAfter?: number, requestId?: string): ApiError =>
  new ApiError(status, 'CODE', message, retryAfter, requestId);

describe('describeError', () => {
  it.each([
    [413, 'The photo is too large (max 10 MB)'],
    [415, 'This file is not a photo we can read (JPEG, PNG or WebP)'],
    [504, 'The models took too long to answer'],
  ])('says %i in words', (status, words) => {
    expect(describeError(api(status)).text).toContain(words);
  });

  it('gives the wait from Retry-After for 503 and 429', () => {
    expect(describeError(api(503, 'busy', 7)).text).toBe('The service is busy; try again in 7 s.');
    expect(describeError(api(503, 'busy')).text).toContain('try again in a few seconds');
    expect(describeError(api(429, 'slow down', 12)).text).toContain('try again in 12 s');
  });

  it('asks for a key on 401 and rejects it on 403', () => {
    expect(describeError(api(401))).toMatchObject({ keyProblem: 'missing', text: expect.stringContaining('needs an API key') });
    expect(describeError(api(403))).toMatchObject({ keyProblem: 'rejected', text: expect.stringContaining('not accepted') });
    expect(describeError(api(413)).keyProblem).toBeUndefined();
  });

  it("quotes the server's reason for a 400 as a sentence and keeps the request id", () => {
    const m = describeError(api(400, 'Multipart field "file" is missing', undefined, 'req-9'));
    expect(m.text).toBe('The service could not use this upload: Multipart field "file" is missing.');
    expect(m.reference).toBe('req-9');
  });

  it('names the status of an unexpected failure', () => {
    expect(describeError(api(500, 'boom')).text).toBe('The service failed (HTTP 500): boom.');
  });

  it('distinguishes an unreachable service from a timeout', () => {
    expect(describeError(new NetworkError('Failed to fetch', false)).text).toContain('Could not reach the service');
    expect(describeError(new NetworkError('No answer within 60 s', true)).text).toContain('No answer within 60 s from the service');
  });
});
