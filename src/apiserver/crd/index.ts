// CustomResourceDefinitions served at run time: the controller that turns stored CRDs into
// registry entries (see controller.ts).
export { CrdController } from './controller.ts';
