import { loadDriftSettings } from '../src/drift';

describe('DRIFT_* settings', () => {
  it('defaults: monitoring on, last 1000 answers of 24 h, PSI 0.1 / 0.25', () => {
    const s = loadDriftSettings({});
    expect(s).toMatchObject({ enabled: true, windowAnswers: 1000, windowHours: 24, minAnswers: 50, minReviews: 20, psi: { warn: 0.1, alert: 0.25 } });
    expect(s.accuracy.warn).toBeGreaterThan(s.accuracy.alert);
  });

  it('reads every variable, blank ones as unset', () => {
    const s = loadDriftSettings({
      DRIFT_MONITORING: 'off',
      DRIFT_WINDOW_ANSWERS: '200',
      DRIFT_WINDOW_HOURS: '0',
      DRIFT_MIN_ANSWERS: '',
      DRIFT_PSI_WARN: '0.2',
      DRIFT_PSI_ALERT: '0.5',
      DRIFT_ACCURACY_WARN: '0.9',
      DRIFT_ACCURACY_ALERT: '0.8',
    });
    expect(s).toMatchObject({ enabled: false, windowAnswers: 200, windowHours: 0, minAnswers: 50, psi: { warn: 0.2, alert: 0.5 }, accuracy: { warn: 0.9, alert: 0.8 } });
  });

  it.each([
    [{ DRIFT_WINDOW_ANSWERS: '0' }, /DRIFT_WINDOW_ANSWERS/],
    [{ DRIFT_WINDOW_ANSWERS: '1.5' }, /DRIFT_WINDOW_ANSWERS/],
    [{ DRIFT_WINDOW_HOURS: '-1' }, /DRIFT_WINDOW_HOURS/],
    [{ DRIFT_MONITORING: 'maybe' }, /DRIFT_MONITORING/],
    [{ DRIFT_PSI_WARN: '0.3', DRIFT_PSI_ALERT: '0.2' }, /DRIFT_PSI_WARN must not exceed/],
    [{ DRIFT_ACCURACY_WARN: '0.7', DRIFT_ACCURACY_ALERT: '0.8' }, /DRIFT_ACCURACY_WARN/],
    [{ DRIFT_DISAGREEMENT_ALERT: '1.5' }, /DRIFT_DISAGREEMENT_ALERT/],
  ])('refuses %j', (env, message) => {
    expect(() => loadDriftSettings(env)).toThrow(message);
  });
});
