// Long operations carry an id so that the UI can cancel them by id.
let last = 0;

export function newOperationId(): number {
  last += 1;
  return last;
}
