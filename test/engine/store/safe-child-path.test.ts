import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { safeChildPath } from '../../../src-main/engine/store/safe-child-path.js';

const root = path.resolve('/data/run/exports');

describe('safeChildPath', () => {
  it('joins plain names and sub-paths inside the root', () => {
    expect(safeChildPath(root, 'model')).toBe(path.join(root, 'model'));
    expect(safeChildPath(root, 'onnx/model.onnx')).toBe(path.join(root, 'onnx', 'model.onnx'));
    expect(safeChildPath(root, 'my..model')).toBe(path.join(root, 'my..model'));
    expect(safeChildPath(root, './a')).toBe(path.join(root, 'a'));
  });

  it.each([
    ['../escape', /export name "\.\.\/escape": must not contain '\.\.'/],
    ['a/../../escape', /must not contain '\.\.'/],
    ['..\\escape', /must not contain '\.\.'/],
    ['..', /must not contain '\.\.'/],
    ['/etc/passwd', /export name "\/etc\/passwd": must be a name inside .*, not an absolute path/],
    ['C:\\Windows', /not an absolute path/],
    ['c:model', /not an absolute path/],
    ['\\\\server\\share', /not an absolute path/],
    ['bad\0name', /export name "bad\\u0000name": contains a NUL byte/],
    ['', /export name "": must not be empty/],
    ['   ', /must not be empty/],
    ['.', /does not name a file inside/],
  ])('refuses %j', (name, message) => {
    expect(() => safeChildPath(root, name, 'export name')).toThrow(message);
  });
});
