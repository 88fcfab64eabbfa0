import type { Ctx } from '../main';
import { CaseView } from '../ui/CaseView';

export function CasePage(props: { ctx: Ctx; id: number }) {
  return (
    <div class="narrow">
      <CaseView id={props.id} catalog={props.ctx.catalog} me={props.ctx.me} citizen={props.ctx.me.role === 'citizen'}
        withPerson={props.ctx.me.role !== 'citizen'} />
    </div>
  );
}
