import { HttpError } from './http-error';

/** A state-changing dashboard request that did not come from the dashboard's own page with a JSON body. */
export class CrossSiteRequestError extends HttpError {
  constructor(detail: string) {
    super(403, 'cross_site_request', `dashboard changes must come from the dashboard itself: ${detail}`);
  }
}

/** Job data added or edited on the dashboard that is not a prediction job. */
export class InvalidJobDataError extends HttpError {
  constructor(detail: string) {
    super(400, 'invalid_job', `job data is not a prediction job: ${detail}`);
  }
}
