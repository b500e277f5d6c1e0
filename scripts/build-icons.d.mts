export const ICON_SIZES: number[];
export const ICON_SVG: string;
export function renderIcon(svg: string, size: number): Buffer;
