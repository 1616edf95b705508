/**
 * The Docker deployment, run for real (needs a Docker Engine and docker-compose; `.ci/run` installs
 * and starts them). The image is built once from the root Dockerfile, then each path of the guide
 * runs with real containers: one container, compose with scaled actors, nginx in front of several
 * gateways, and a one-node swarm. Everything created is removed afterwards, failures included;
 * ports are published on 127.0.0.1 only. Skipped, with the reason in the title, without an engine.
 */
import { composeTests } from './compose';
import { dockerSkipReason } from './support/docker';
import { newSuite, prepareSuite } from './support/suite';
import { singleContainerTests } from './single-container';
import { swarmTests } from './swarm';

const skipReason = dockerSkipReason();
const maybe = skipReason ? describe.skip : describe;

maybe(`Docker deployment${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  const suite = newSuite();
  beforeAll(() => prepareSuite(suite), 40 * 60_000);
  afterAll(async () => {
    await suite.resources.cleanup();
    console.log(`docker suite figures (s): ${JSON.stringify(suite.figures)}`);
  }, 5 * 60_000);

  singleContainerTests(suite);
  composeTests(suite);
  swarmTests(suite);
});
