/**
 * The target registry: adding a target touches its folder and one line here.
 * Each target folder's index.ts exports `target: Target<Options>` (see ./types.ts).
 */
import type { TargetName } from '../../contracts/targets.ts';
import { target as cloudrun } from './cloudrun/index.ts';
import { target as docker } from './docker/index.ts';
import { flyTarget as fly } from './fly/index.ts';
import { target as local } from './local/index.ts';
import { target as railway } from './railway/index.ts';
import { renderTarget as render } from './render/index.ts';
import type { Target } from './types.ts';

export const TARGETS: Readonly<Record<TargetName, Target<any>>> = Object.freeze({
  cloudrun,
  fly,
  render,
  railway,
  local,
  docker,
});

