import { render } from 'preact';

render(<p>CarrierFlag</p>, document.getElementById('app')!);
