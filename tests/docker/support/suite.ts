import { eyePhotos } from '@cataract/test-support/photos';
import { baseImages, buildImage, docker, DockerResources } from './docker';

/** What the suite's scenarios share: the image built once, the base images, photos, the cleanup record. */
export interface DockerSuite {
  /** The guide's `docker build -t cataract-api .` under a test tag. */
  image: string;
  bases: Record<'NODE_IMAGE' | 'REDIS_IMAGE' | 'NGINX_IMAGE', string>;
  photos: Buffer[];
  resources: DockerResources;
  /** Measured durations (seconds), printed once at the end. */
  figures: Record<string, number>;
}

export const IMAGE_REPO = 'cataract-api';
/** compose's image name is cataract-cluster:${IMAGE_TAG}: the same image, tagged for it. */
export const COMPOSE_IMAGE_REPO = 'cataract-cluster';
export const TEST_TAG = 'docker-test';

export async function prepareSuite(suite: DockerSuite): Promise<void> {
  let t = Date.now();
  suite.bases = await baseImages();
  suite.figures.baseImagesS = (Date.now() - t) / 1000;
  t = Date.now();
  suite.image = `${IMAGE_REPO}:${TEST_TAG}`;
  await buildImage(suite.image, suite.bases.NODE_IMAGE);
  suite.figures.buildS = (Date.now() - t) / 1000;
  await docker(['tag', suite.image, `${COMPOSE_IMAGE_REPO}:${TEST_TAG}`]);
  suite.photos = (await eyePhotos(2)).photos.map((p) => p.bytes);
}

export function newSuite(): DockerSuite {
  return { image: '', bases: { NODE_IMAGE: '', REDIS_IMAGE: '', NGINX_IMAGE: '' }, photos: [], resources: new DockerResources(), figures: {} };
}
