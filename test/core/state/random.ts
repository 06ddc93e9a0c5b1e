export { seededRandom } from "../../support/random.js";
